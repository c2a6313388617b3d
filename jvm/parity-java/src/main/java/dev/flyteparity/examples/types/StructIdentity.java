package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its struct input ({@link Point}, a generic literal) unchanged. */
@AutoService(SdkRunnableTask.class)
public class StructIdentity extends SdkRunnableTask<StructIdentity.Value, StructIdentity.Value> {

  public StructIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Point> value();

    public static Value create(SdkBindingData<Point> value) {
      return new AutoValue_StructIdentity_Value(value);
    }
  }
}
