namespace Infomat.Privacy.Workflow.Orchestration;

// Durable payloads: ids, counts, dates and flags only. Never names, emails, reasons or record data
// (durable history outlives the case; GDPR minimisation). Activities load the rest by case id. Each activity's input
// and output records sit beside it in Activities/<step>/.

/// <summary>A step that waits for a person, with the moment it gives up and the moments it reminds (if any).</summary>
public sealed record WaitStep(DateTime DeadlineUtc, IReadOnlyList<DateTime>? RemindersUtc = null);
