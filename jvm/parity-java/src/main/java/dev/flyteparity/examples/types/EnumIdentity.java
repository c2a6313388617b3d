package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * Type table: returns its enum input unchanged.
 *
 * <p>flytekit-jackson declares a Java enum as a plain STRING variable (no Flyte enum type), so
 * the value travels as the constant's name. The binding is passed through without calling
 * {@code get()}: the value read back from the literal is a {@code String}, not a {@link Color}.
 */
@AutoService(SdkRunnableTask.class)
public class EnumIdentity extends SdkRunnableTask<EnumIdentity.Value, EnumIdentity.Value> {

  public EnumIdentity() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(input.value());
  }

  /** The enum the task declares; its constant names are the values on the wire. */
  public enum Color {
    RED,
    GREEN,
    BLUE
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Color> value();

    public static Value create(SdkBindingData<Color> value) {
      return new AutoValue_EnumIdentity_Value(value);
    }
  }
}
