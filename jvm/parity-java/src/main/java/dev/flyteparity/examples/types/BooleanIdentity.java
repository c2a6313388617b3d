package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its boolean input unchanged. */
@AutoService(SdkRunnableTask.class)
public class BooleanIdentity extends SdkRunnableTask<BooleanIdentity.Value, BooleanIdentity.Value> {

  public BooleanIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Boolean> value();

    public static Value create(SdkBindingData<Boolean> value) {
      return new AutoValue_BooleanIdentity_Value(value);
    }
  }
}
