package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.Map;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its map of structs ({@link Point}, generic literals) unchanged. */
@AutoService(SdkRunnableTask.class)
public class StructMapIdentity
    extends SdkRunnableTask<StructMapIdentity.Value, StructMapIdentity.Value> {

  public StructMapIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Map<String, Point>> value();

    public static Value create(SdkBindingData<Map<String, Point>> value) {
      return new AutoValue_StructMapIdentity_Value(value);
    }
  }
}
