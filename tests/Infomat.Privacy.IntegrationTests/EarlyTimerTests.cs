using Azure.Data.Tables;

using Infomat.Privacy.IntegrationTests.Infrastructure;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// The Azure Storage provider hands a durable timer to a queue message whose visibility delay counts whole seconds, so a
/// timer can fire before its time. The step it wakes decides by the clock; woken early, it found nothing due and the wait
/// looked again at once, and again, until the time had passed (seen: five looks in 0.1 s; a second early, past the 20
/// looks of a run, a fresh run with another execution id).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EarlyTimerTests(Azurite azurite)
{
    [Fact]
    public async Task The_approval_wait_looks_once_when_its_reminder_falls_due_and_not_again_and_again()
    {
        await using var host = new LocalHostProcess(azurite, new Dictionary<string, string> { ["Privacy__Approval__ReminderAfter"] = "00:00:10" });
        await host.StartAsync();
        using var flows = new Flows(host);
        var id = await flows.SubmitAsync(email: "jan.devries@example.nl", entity: "nl");
        await flows.VerifyAsync(id);
        var asked = (await host.Mailbox.WaitForAsync("approval-request", id)).Date;
        var reminder = await host.Mailbox.WaitForAsync("reminder", id, TimeSpan.FromSeconds(40));
        Assert.True(reminder.Date >= asked.AddSeconds(9), $"reminded {(reminder.Date - asked).TotalSeconds:0} s after the approval request");

        // The history of the case's orchestration once the reminder went and its wait began again.
        var history = new TableClient(azurite.ConnectionString, host.TaskHub + "History");
        var looks = 0;
        var executions = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            (looks, executions) = (0, new HashSet<string>(StringComparer.Ordinal));
            var waitsAgain = false;
            await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}")))
            {
                executions.Add(row.GetString("ExecutionId"));
                looks += row.GetString("EventType") == "TaskScheduled" && row.GetString("Name") == "TendApprovalWait" ? 1 : 0;
                waitsAgain |= row.GetString("EventType") == "TimerCreated" && row.GetDateTime("FireAt") > reminder.Date.AddSeconds(5).UtcDateTime;
            }

            if (waitsAgain)
            {
                break;
            }

            await Task.Delay(100);
        }

        // One look when the approval was asked, one when the reminder fell due: the run is the one that began.
        Assert.Equal(2, looks);
        Assert.Single(executions);
    }
}
