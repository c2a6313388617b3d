package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkLiteralTypes;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Appends a question to a greeting: {@code g -> g + " How are you?"}. */
@AutoService(SdkRunnableTask.class)
public class AddQuestionTask
    extends SdkRunnableTask<AddQuestionTask.Input, AddQuestionTask.Output> {

  public AddQuestionTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    // SdkBindingData.literal, not SdkBindingDataFactory.of: the factory's overloads name
    // org.flyte.api.v1 types, and this module does not compile against flytekit-api.
    return Output.create(
        SdkBindingData.literal(
            SdkLiteralTypes.strings(), input.greeting().get() + " How are you?"));
  }

  /** Task input: the greeting to extend. */
  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<String> greeting();

    public static Input create(SdkBindingData<String> greeting) {
      return new AutoValue_AddQuestionTask_Input(greeting);
    }
  }

  /** Task output: the greeting with the question appended. */
  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> greeting();

    public static Output create(SdkBindingData<String> greeting) {
      return new AutoValue_AddQuestionTask_Output(greeting);
    }
  }
}
