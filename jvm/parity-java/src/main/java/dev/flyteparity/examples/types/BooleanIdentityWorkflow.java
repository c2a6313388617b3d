package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link BooleanIdentity}. */
@AutoService(SdkWorkflow.class)
public class BooleanIdentityWorkflow
    extends SdkWorkflow<BooleanIdentity.Value, BooleanIdentity.Value> {

  public BooleanIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(BooleanIdentity.Value.class),
        JacksonSdkType.of(BooleanIdentity.Value.class));
  }

  @Override
  public BooleanIdentity.Value expand(SdkWorkflowBuilder builder, BooleanIdentity.Value input) {
    return builder.apply("identity", new BooleanIdentity(), input).getOutputs();
  }
}
