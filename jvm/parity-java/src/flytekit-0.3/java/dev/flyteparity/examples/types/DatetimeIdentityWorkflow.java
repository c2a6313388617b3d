package dev.flyteparity.examples.types;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;

/** Type table, execute-local: one node, {@code identity}, running {@link DatetimeIdentity}. */
@AutoService(SdkWorkflow.class)
public class DatetimeIdentityWorkflow extends SdkWorkflow {

  @Override
  public void expand(SdkWorkflowBuilder builder) {
    SdkBindingData value = builder.inputOfDatetime("value");
    SdkBindingData out =
        builder.apply("identity", new DatetimeIdentity().withInput("value", value)).getOutput("value");
    builder.output("value", out);
  }
}
