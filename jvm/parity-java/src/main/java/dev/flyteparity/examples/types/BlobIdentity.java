package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.api.v1.Blob;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its blob input (declared a single file of any format) unchanged. */
@AutoService(SdkRunnableTask.class)
public class BlobIdentity extends SdkRunnableTask<BlobIdentity.Value, BlobIdentity.Value> {

  public BlobIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Blob> value();

    public static Value create(SdkBindingData<Blob> value) {
      return new AutoValue_BlobIdentity_Value(value);
    }
  }
}
