package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.api.v1.Binary;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table (0.4 API on): returns its binary input (tag and bytes) unchanged. */
@AutoService(SdkRunnableTask.class)
public class BinaryIdentity extends SdkRunnableTask<BinaryIdentity.Value, BinaryIdentity.Value> {

  public BinaryIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Binary> value();

    public static Value create(SdkBindingData<Binary> value) {
      return new AutoValue_BinaryIdentity_Value(value);
    }
  }
}
