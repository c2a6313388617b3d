package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkLiteralTypes;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Turns a name into a greeting: {@code name -> "Welcome, <name>!"}. */
@AutoService(SdkRunnableTask.class)
public class GreetTask extends SdkRunnableTask<GreetTask.Input, GreetTask.Output> {

  public GreetTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    // SdkBindingData.literal, not SdkBindingDataFactory.of: the factory's overloads name
    // org.flyte.api.v1 types, and this module does not compile against flytekit-api.
    return Output.create(
        SdkBindingData.literal(SdkLiteralTypes.strings(), "Welcome, " + input.name().get() + "!"));
  }

  /** Task input: the name to greet. */
  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<String> name();

    public static Input create(SdkBindingData<String> name) {
      return new AutoValue_GreetTask_Input(name);
    }
  }

  /** Task output: the greeting. */
  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> greeting();

    public static Output create(SdkBindingData<String> greeting) {
      return new AutoValue_GreetTask_Output(greeting);
    }
  }
}
