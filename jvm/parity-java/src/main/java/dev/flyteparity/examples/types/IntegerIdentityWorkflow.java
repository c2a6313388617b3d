package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link IntegerIdentity}. */
@AutoService(SdkWorkflow.class)
public class IntegerIdentityWorkflow
    extends SdkWorkflow<IntegerIdentity.Value, IntegerIdentity.Value> {

  public IntegerIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(IntegerIdentity.Value.class),
        JacksonSdkType.of(IntegerIdentity.Value.class));
  }

  @Override
  public IntegerIdentity.Value expand(SdkWorkflowBuilder builder, IntegerIdentity.Value input) {
    return builder.apply("identity", new IntegerIdentity(), input).getOutputs();
  }
}
