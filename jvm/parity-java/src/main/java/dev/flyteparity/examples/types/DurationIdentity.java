package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.time.Duration;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its duration input unchanged. */
@AutoService(SdkRunnableTask.class)
public class DurationIdentity
    extends SdkRunnableTask<DurationIdentity.Value, DurationIdentity.Value> {

  public DurationIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Duration> value();

    public static Value create(SdkBindingData<Duration> value) {
      return new AutoValue_DurationIdentity_Value(value);
    }
  }
}
