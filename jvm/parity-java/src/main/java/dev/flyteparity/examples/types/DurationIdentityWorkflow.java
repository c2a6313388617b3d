package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link DurationIdentity}. */
@AutoService(SdkWorkflow.class)
public class DurationIdentityWorkflow
    extends SdkWorkflow<DurationIdentity.Value, DurationIdentity.Value> {

  public DurationIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(DurationIdentity.Value.class),
        JacksonSdkType.of(DurationIdentity.Value.class));
  }

  @Override
  public DurationIdentity.Value expand(SdkWorkflowBuilder builder, DurationIdentity.Value input) {
    return builder.apply("identity", new DurationIdentity(), input).getOutputs();
  }
}
