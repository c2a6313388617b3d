package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;

/** One node, {@code raise}, that fails with a non-empty message: the error contract's workflow. */
@AutoService(SdkWorkflow.class)
public class ErrorWorkflow extends SdkWorkflow {

  @Override
  public void expand(SdkWorkflowBuilder builder) {
    SdkBindingData message = builder.inputOfString("message", "What the task fails with");
    SdkBindingData echo = builder.apply("raise", RaisingTask.of(message)).getOutput("echo");
    builder.output("echo", echo, "The message, when empty");
  }
}
