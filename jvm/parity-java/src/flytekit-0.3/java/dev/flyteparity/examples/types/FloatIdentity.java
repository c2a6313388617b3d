package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its float input unchanged. */
@AutoService(SdkRunnableTask.class)
public class FloatIdentity extends SdkRunnableTask<FloatIdentity.Value, FloatIdentity.Value> {

  public FloatIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one field, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract double value();

    public static Value create(double value) {
      return new AutoValue_FloatIdentity_Value(value);
    }
  }
}
