package dev.flyteparity.examples.process;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Process contract: ends its JVM with System.exit(3) before producing any output. */
@AutoService(SdkRunnableTask.class)
public class ExitThreeTask extends SdkRunnableTask<ExitThreeTask.Value, ExitThreeTask.Value> {

  public ExitThreeTask() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    System.exit(3);
    return input;
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract long value();

    public static Value create(long value) {
      return new AutoValue_ExitThreeTask_Value(value);
    }
  }
}
