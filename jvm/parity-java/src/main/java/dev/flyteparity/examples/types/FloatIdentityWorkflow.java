package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link FloatIdentity}. */
@AutoService(SdkWorkflow.class)
public class FloatIdentityWorkflow
    extends SdkWorkflow<FloatIdentity.Value, FloatIdentity.Value> {

  public FloatIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(FloatIdentity.Value.class),
        JacksonSdkType.of(FloatIdentity.Value.class));
  }

  @Override
  public FloatIdentity.Value expand(SdkWorkflowBuilder builder, FloatIdentity.Value input) {
    return builder.apply("identity", new FloatIdentity(), input).getOutputs();
  }
}
