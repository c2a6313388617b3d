package dev.flyteparity.examples.process;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.concurrent.atomic.AtomicLong;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkLiteralTypes;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * Process contract: counts its runs in static state and returns the count. Each task run is a
 * process of its own, so every run returns 1; a run that returned more would show state left
 * behind by an earlier run.
 */
@AutoService(SdkRunnableTask.class)
public class StaticCounterTask extends SdkRunnableTask<StaticCounterTask.Value, StaticCounterTask.Value> {

  private static final AtomicLong COUNTER = new AtomicLong();

  public StaticCounterTask() {
    super(JacksonSdkType.of(Value.class), JacksonSdkType.of(Value.class));
  }

  @Override
  public Value run(Value input) {
    return Value.create(SdkBindingData.literal(SdkLiteralTypes.integers(), COUNTER.incrementAndGet()));
  }

  /** Input and output: one variable, {@code value}. */
  @AutoValue
  public abstract static class Value {
    public abstract SdkBindingData<Long> value();

    public static Value create(SdkBindingData<Long> value) {
      return new AutoValue_StaticCounterTask_Value(value);
    }
  }
}
