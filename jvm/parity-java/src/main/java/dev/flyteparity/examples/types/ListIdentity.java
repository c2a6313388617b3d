package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.List;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its list input unchanged. */
@AutoService(SdkRunnableTask.class)
public class ListIdentity extends SdkRunnableTask<ListIdentity.Value, ListIdentity.Value> {

  public ListIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<List<Long>> value();

    public static Value create(SdkBindingData<List<Long>> value) {
      return new AutoValue_ListIdentity_Value(value);
    }
  }
}
