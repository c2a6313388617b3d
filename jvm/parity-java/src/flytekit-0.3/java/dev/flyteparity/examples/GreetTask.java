package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.SdkTransform;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Turns a name into a greeting: {@code name -> "Welcome, <name>!"}. */
@AutoService(SdkRunnableTask.class)
public class GreetTask extends SdkRunnableTask<GreetTask.Input, GreetTask.Output> {

  public GreetTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  /** Binds the task's only input. */
  public static SdkTransform of(SdkBindingData name) {
    return new GreetTask().withInput("name", name);
  }

  @Override
  public Output run(Input input) {
    return Output.create("Welcome, " + input.name() + "!");
  }

  /** Task input. */
  @AutoValue
  public abstract static class Input {
    public abstract String name();
  }

  /** Task output. */
  @AutoValue
  public abstract static class Output {
    public abstract String greeting();

    public static Output create(String greeting) {
      return new AutoValue_GreetTask_Output(greeting);
    }
  }
}
