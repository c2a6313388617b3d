package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its integer input unchanged. */
@AutoService(SdkRunnableTask.class)
public class IntegerIdentity extends SdkRunnableTask<IntegerIdentity.Value, IntegerIdentity.Value> {

  public IntegerIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Long> value();

    public static Value create(SdkBindingData<Long> value) {
      return new AutoValue_IntegerIdentity_Value(value);
    }
  }
}
