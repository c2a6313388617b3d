package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.Map;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its nestedmap input unchanged. */
@AutoService(SdkRunnableTask.class)
public class NestedMapIdentity extends SdkRunnableTask<NestedMapIdentity.Value, NestedMapIdentity.Value> {

  public NestedMapIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one field, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract Map<String, Map<String, Double>> value();

    public static Value create(Map<String, Map<String, Double>> value) {
      return new AutoValue_NestedMapIdentity_Value(value);
    }
  }
}
