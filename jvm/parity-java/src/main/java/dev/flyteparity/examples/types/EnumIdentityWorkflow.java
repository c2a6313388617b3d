package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link EnumIdentity}. */
@AutoService(SdkWorkflow.class)
public class EnumIdentityWorkflow
    extends SdkWorkflow<EnumIdentity.Value, EnumIdentity.Value> {

  public EnumIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(EnumIdentity.Value.class),
        JacksonSdkType.of(EnumIdentity.Value.class));
  }

  @Override
  public EnumIdentity.Value expand(SdkWorkflowBuilder builder, EnumIdentity.Value input) {
    return builder.apply("identity", new EnumIdentity(), input).getOutputs();
  }
}
