package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;

/** Type table, execute-local: one node, {@code identity}, running {@link FloatIdentity}. */
@AutoService(SdkWorkflow.class)
public class FloatIdentityWorkflow extends SdkWorkflow {

  @Override
  public void expand(SdkWorkflowBuilder builder) {
    SdkBindingData value = builder.inputOfFloat("value");
    SdkBindingData out =
        builder.apply("identity", new FloatIdentity().withInput("value", value)).getOutput("value");
    builder.output("value", out);
  }
}
