package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.time.Instant;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its datetime input unchanged. */
@AutoService(SdkRunnableTask.class)
public class DatetimeIdentity
    extends SdkRunnableTask<DatetimeIdentity.Value, DatetimeIdentity.Value> {

  public DatetimeIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Instant> value();

    public static Value create(SdkBindingData<Instant> value) {
      return new AutoValue_DatetimeIdentity_Value(value);
    }
  }
}
