package dev.flyteparity.examples.scala

import org.flyte.flytekit.{SdkBindingData, SdkRunnableTask, SdkTransform, SdkWorkflow, SdkWorkflowBuilder}
import org.flyte.flytekitscala.SdkScalaType

/** Input of [[SumTask]]. */
case class SumTaskInput(a: Long, b: Long)

/** Output of [[SumTask]]. */
case class SumTaskOutput(c: Long)

/** Adds two integers; cached under version "1", with serialised cache access. */
class SumTask
    extends SdkRunnableTask(
      SdkScalaType[SumTaskInput],
      SdkScalaType[SumTaskOutput]
    ) {

  override def run(input: SumTaskInput): SumTaskOutput = SumTaskOutput(input.a + input.b)

  override def isCached: Boolean = true

  override def getCacheVersion: String = "1"

  override def isCacheSerializable: Boolean = true
}

object SumTask {

  /** Binds both inputs of a new SumTask. */
  def apply(a: SdkBindingData, b: SdkBindingData): SdkTransform =
    new SumTask().withInput("a", a).withInput("b", b)
}

/** Four steps of Fibonacci from two seeds: nodes fib-2 .. fib-5, output fib5. */
class FibonacciWorkflow extends SdkWorkflow {

  override def expand(builder: SdkWorkflowBuilder): Unit = {
    val fib0 = builder.inputOfInteger("fib0", "First seed")
    val fib1 = builder.inputOfInteger("fib1", "Second seed")
    val fib2 = builder.apply("fib-2", SumTask(fib0, fib1)).getOutput("c")
    val fib3 = builder.apply("fib-3", SumTask(fib1, fib2)).getOutput("c")
    val fib4 = builder.apply("fib-4", SumTask(fib2, fib3)).getOutput("c")
    val fib5 = builder.apply("fib-5", SumTask(fib3, fib4)).getOutput("c")
    builder.output("fib5", fib5, "Fifth Fibonacci number")
  }
}
