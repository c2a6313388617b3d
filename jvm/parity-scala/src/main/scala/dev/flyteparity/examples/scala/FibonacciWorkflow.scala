package dev.flyteparity.examples.scala

import org.flyte.flytekit.{SdkBindingData, SdkRunnableTask}
import org.flyte.flytekitscala.{Description, SdkLiteralTypes, SdkScalaType, SdkScalaWorkflow, SdkScalaWorkflowBuilder}

/** Input of [[SumTask]]: the two addends. */
case class SumTaskInput(a: SdkBindingData[Long], b: SdkBindingData[Long])

/** Output of [[SumTask]]: their sum. */
case class SumTaskOutput(c: SdkBindingData[Long])

/** Adds two integers; cached under version "1", with serialised cache access. */
class SumTask
    extends SdkRunnableTask[SumTaskInput, SumTaskOutput](
      SdkScalaType[SumTaskInput],
      SdkScalaType[SumTaskOutput]
    ) {

  // SdkBindingData.literal rather than SdkBindingDataFactory.of: resolving the overloads of `of`
  // needs org.flyte.api.v1 (flytekit-api) on the compile class path, which this module lacks.
  override def run(input: SumTaskInput): SumTaskOutput =
    SumTaskOutput(SdkBindingData.literal(SdkLiteralTypes.integers(), input.a.get + input.b.get))

  override def isCached: Boolean = true

  override def getCacheVersion: String = "1"

  override def isCacheSerializable: Boolean = true
}

/** Workflow inputs: the two seeds (the descriptions become the interface's). */
case class FibonacciWorkflowInput(
    @Description("First seed") fib0: SdkBindingData[Long],
    @Description("Second seed") fib1: SdkBindingData[Long]
)

/** Workflow output: the fifth number of the sequence. */
case class FibonacciWorkflowOutput(
    @Description("Fifth Fibonacci number") fib5: SdkBindingData[Long]
)

/** Four steps of Fibonacci from two seeds: nodes fib-2 .. fib-5, output fib5. */
class FibonacciWorkflow
    extends SdkScalaWorkflow[FibonacciWorkflowInput, FibonacciWorkflowOutput](
      SdkScalaType[FibonacciWorkflowInput],
      SdkScalaType[FibonacciWorkflowOutput]
    ) {

  override def expand(builder: SdkScalaWorkflowBuilder, input: FibonacciWorkflowInput): FibonacciWorkflowOutput = {
    // Each step is one SumTask node; its promised output `c` feeds the next two steps.
    def step(nodeId: String, a: SdkBindingData[Long], b: SdkBindingData[Long]): SdkBindingData[Long] =
      builder.apply(nodeId, new SumTask(), SumTaskInput(a, b)).getOutputs.c

    val fib2 = step("fib-2", input.fib0, input.fib1)
    val fib3 = step("fib-3", input.fib1, fib2)
    val fib4 = step("fib-4", fib2, fib3)
    val fib5 = step("fib-5", fib3, fib4)
    FibonacciWorkflowOutput(fib5)
  }
}
