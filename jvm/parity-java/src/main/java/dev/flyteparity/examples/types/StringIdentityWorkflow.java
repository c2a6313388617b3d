package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Type table, execute-local: one node, {@code identity}, running {@link StringIdentity}. */
@AutoService(SdkWorkflow.class)
public class StringIdentityWorkflow
    extends SdkWorkflow<StringIdentity.Value, StringIdentity.Value> {

  public StringIdentityWorkflow() {
    // The workflow has the task's interface: one input and one output, both named value.
    super(
        JacksonSdkType.of(StringIdentity.Value.class),
        JacksonSdkType.of(StringIdentity.Value.class));
  }

  @Override
  public StringIdentity.Value expand(SdkWorkflowBuilder builder, StringIdentity.Value input) {
    return builder.apply("identity", new StringIdentity(), input).getOutputs();
  }
}
