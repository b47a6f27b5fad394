// Command start-generation starts a scenegate generation from Go with the Temporal Go SDK, as
// any Temporal SDK can (docs/other-languages.md): it starts the workflow type generateVideo with
// a plan read from JSON, queries its progress, approves the gate when the generation waits for a
// person's decision, and prints the result.
//
//	go run . plan.json
//
// It connects to TEMPORAL_ADDRESS (default localhost:7233) in TEMPORAL_NAMESPACE (default
// "default") and starts on SCENEGATE_TASK_QUEUE (default "scenegate"), the settings a scenegate
// worker reads. The plan is sent as it is: reference images must be https URLs or paths the
// worker can read (scenegate's own client resolves paths beside the plan; this one does not).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// The names scenegate's worker registers (workflows/messages.ts).
const (
	workflowType     = "generateVideo"
	progressQuery    = "progress"
	approveGateName  = "approveGate"
	defaultTaskQueue = "scenegate"
)

// progress holds the fields of the progress query this program reads; the JSON has more
// (schema/progress.schema.json).
type progress struct {
	Status     string  `json:"status"`
	WaitingFor *string `json:"waitingFor"`
	Totals     struct {
		Scenes  int `json:"scenes"`
		Done    int `json:"done"`
		Percent int `json:"percent"`
	} `json:"totals"`
}

// finished lists the statuses a generation never leaves.
var finished = map[string]bool{"succeeded": true, "partial": true, "failed": true, "cancelled": true}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start-generation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	if len(os.Args) != 2 {
		return errors.New("usage: start-generation <plan.json>")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	// a map, so the plan reaches the workflow with every field it has, as JSON
	var plan map[string]any
	if err := json.Unmarshal(raw, &plan); err != nil {
		return fmt.Errorf("%s: %w", os.Args[1], err)
	}
	id, ok := plan["generationId"].(string)
	if !ok || id == "" {
		return fmt.Errorf("%s: generationId: a generation id is required", os.Args[1])
	}

	c, err := client.Dial(client.Options{
		HostPort:  getenv("TEMPORAL_ADDRESS", "localhost:7233"),
		Namespace: getenv("TEMPORAL_NAMESPACE", "default"),
	})
	if err != nil {
		return err
	}
	defer c.Close()

	// The workflow id is the plan's generationId: starting a running generation again returns
	// it, and only a failed or cancelled one may run again under the same id.
	workflow, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       id,
		TaskQueue:                getenv("SCENEGATE_TASK_QUEUE", defaultTaskQueue),
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
	}, workflowType, plan)
	if err != nil {
		return err
	}
	fmt.Printf("started %s (run %s)\n", workflow.GetID(), workflow.GetRunID())

	approved := false
	for {
		var p progress
		answer, err := c.QueryWorkflow(ctx, id, "", progressQuery)
		if err != nil {
			return err
		}
		if err := answer.Get(&p); err != nil {
			return err
		}
		fmt.Printf("progress: %s, %d of %d scenes (%d%%)\n", p.Status, p.Totals.Done, p.Totals.Scenes, p.Totals.Percent)
		if finished[p.Status] {
			break
		}
		if p.Status == "awaiting_approval" && !approved {
			if err := approveGate(ctx, c, id); err != nil {
				return err
			}
			approved = true
		}
		time.Sleep(500 * time.Millisecond)
	}

	var result map[string]any
	if err := workflow.Get(ctx, &result); err != nil {
		return err
	}
	out, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("result: %s\n", out)
	return nil
}

// approveGate sends the approveGate update and prints the generation's answer; a refusal (the
// update's validator) comes back as the error.
func approveGate(ctx context.Context, c client.Client, id string) error {
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		UpdateName:   approveGateName,
		Args:         []any{map[string]any{"note": "approved from the Go example"}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	var outcome struct {
		Message string `json:"message"`
	}
	if err := handle.Get(ctx, &outcome); err != nil {
		return err
	}
	fmt.Printf("approveGate: %s\n", outcome.Message)
	return nil
}

func getenv(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}
