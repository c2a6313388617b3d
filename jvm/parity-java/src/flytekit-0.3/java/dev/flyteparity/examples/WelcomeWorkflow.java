package dev.flyteparity.examples;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;

/** Greets a person and asks how they are: nodes {@code greet -> add-question}. */
@AutoService(SdkWorkflow.class)
public class WelcomeWorkflow extends SdkWorkflow {

  @Override
  public void expand(SdkWorkflowBuilder builder) {
    SdkBindingData name = builder.inputOfString("name", "The name for the welcome message");
    SdkBindingData greeting = builder.apply("greet", GreetTask.of(name)).getOutput("greeting");
    SdkBindingData question =
        builder.apply("add-question", AddQuestionTask.of(greeting)).getOutput("greeting");
    builder.output("greeting", question, "Welcome message");
  }
}
