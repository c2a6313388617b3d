package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link DatetimeIdentity}. */
@AutoService(SdkWorkflow.class)
public class DatetimeIdentityWorkflow
    extends SdkWorkflow<DatetimeIdentity.Value, DatetimeIdentity.Value> {

  public DatetimeIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(DatetimeIdentity.Value.class),
        JacksonSdkType.of(DatetimeIdentity.Value.class));
  }

  @Override
  public DatetimeIdentity.Value expand(SdkWorkflowBuilder builder, DatetimeIdentity.Value input) {
    return builder.apply("identity", new DatetimeIdentity(), input).getOutputs();
  }
}
