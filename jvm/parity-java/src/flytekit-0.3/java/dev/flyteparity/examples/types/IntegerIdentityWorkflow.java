package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;

/** Type table, execute-local: one node, {@code identity}, running {@link IntegerIdentity}. */
@AutoService(SdkWorkflow.class)
public class IntegerIdentityWorkflow extends SdkWorkflow {

  @Override
  public void expand(SdkWorkflowBuilder builder) {
    SdkBindingData value = builder.inputOfInteger("value");
    SdkBindingData out =
        builder.apply("identity", new IntegerIdentity().withInput("value", value)).getOutput("value");
    builder.output("value", out);
  }
}
