package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Fails with an IllegalArgumentException carrying its input message; an empty one is echoed. */
@AutoService(SdkRunnableTask.class)
public class RaisingTask extends SdkRunnableTask<RaisingTask.Input, RaisingTask.Output> {

  public RaisingTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    String message = input.message().get();
    if (!message.isEmpty()) {
      throw new IllegalArgumentException(message);
    }
    return Output.create(input.message());
  }

  /** Task input: what to fail with. */
  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<String> message();

    public static Input create(SdkBindingData<String> message) {
      return new AutoValue_RaisingTask_Input(message);
    }
  }

  /** Task output: the (empty) message, when the task does not fail. */
  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> echo();

    public static Output create(SdkBindingData<String> echo) {
      return new AutoValue_RaisingTask_Output(echo);
    }
  }
}
