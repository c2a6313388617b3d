package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.Description;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Greets a person and asks how they are: nodes {@code greet -> add-question}. */
@AutoService(SdkWorkflow.class)
public class WelcomeWorkflow extends SdkWorkflow<WelcomeWorkflow.Input, WelcomeWorkflow.Output> {

  public WelcomeWorkflow() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output expand(SdkWorkflowBuilder builder, Input input) {
    SdkBindingData<String> greeting =
        builder
            .apply("greet", new GreetTask(), GreetTask.Input.create(input.name()))
            .getOutputs()
            .greeting();
    SdkBindingData<String> question =
        builder
            .apply("add-question", new AddQuestionTask(), AddQuestionTask.Input.create(greeting))
            .getOutputs()
            .greeting();
    return Output.create(question);
  }

  /** Workflow input. */
  @AutoValue
  public abstract static class Input {
    @Description("The name for the welcome message")
    public abstract SdkBindingData<String> name();

    public static Input create(SdkBindingData<String> name) {
      return new AutoValue_WelcomeWorkflow_Input(name);
    }
  }

  /** Workflow output. */
  @AutoValue
  public abstract static class Output {
    @Description("Welcome message")
    public abstract SdkBindingData<String> greeting();

    public static Output create(SdkBindingData<String> greeting) {
      return new AutoValue_WelcomeWorkflow_Output(greeting);
    }
  }
}
