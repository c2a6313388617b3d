package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.SdkTransform;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Fails with an IllegalArgumentException carrying its input message; an empty one is echoed. */
@AutoService(SdkRunnableTask.class)
public class RaisingTask extends SdkRunnableTask<RaisingTask.Input, RaisingTask.Output> {

  public RaisingTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  /** Binds the task's only input. */
  public static SdkTransform of(SdkBindingData message) {
    return new RaisingTask().withInput("message", message);
  }

  @Override
  public Output run(Input input) {
    if (!input.message().isEmpty()) {
      throw new IllegalArgumentException(input.message());
    }
    return Output.create(input.message());
  }

  /** Task input. */
  @AutoValue
  public abstract static class Input {
    public abstract String message();
  }

  /** Task output. */
  @AutoValue
  public abstract static class Output {
    public abstract String echo();

    public static Output create(String echo) {
      return new AutoValue_RaisingTask_Output(echo);
    }
  }
}
