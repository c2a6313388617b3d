package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.List;
import org.flyte.api.v1.Blob;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table: returns its list of blobs unchanged. */
@AutoService(SdkRunnableTask.class)
public class BlobListIdentity extends SdkRunnableTask<BlobListIdentity.Value, BlobListIdentity.Value> {

  public BlobListIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<List<Blob>> value();

    public static Value create(SdkBindingData<List<Blob>> value) {
      return new AutoValue_BlobListIdentity_Value(value);
    }
  }
}
