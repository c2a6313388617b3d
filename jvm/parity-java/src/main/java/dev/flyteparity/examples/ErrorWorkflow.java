package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.Description;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** One node, {@code raise}, that fails with a non-empty message: the error contract's workflow. */
@AutoService(SdkWorkflow.class)
public class ErrorWorkflow extends SdkWorkflow<ErrorWorkflow.Input, ErrorWorkflow.Output> {

  public ErrorWorkflow() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output expand(SdkWorkflowBuilder builder, Input input) {
    SdkBindingData<String> echo =
        builder
            .apply("raise", new RaisingTask(), RaisingTask.Input.create(input.message()))
            .getOutputs()
            .echo();
    return Output.create(echo);
  }

  /** Workflow input. */
  @AutoValue
  public abstract static class Input {
    @Description("What the task fails with")
    public abstract SdkBindingData<String> message();

    public static Input create(SdkBindingData<String> message) {
      return new AutoValue_ErrorWorkflow_Input(message);
    }
  }

  /** Workflow output. */
  @AutoValue
  public abstract static class Output {
    @Description("The message, when empty")
    public abstract SdkBindingData<String> echo();

    public static Output create(SdkBindingData<String> echo) {
      return new AutoValue_ErrorWorkflow_Output(echo);
    }
  }
}
