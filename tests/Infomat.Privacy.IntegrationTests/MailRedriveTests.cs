using Infomat.Privacy.Adapters.Mail;
using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Intake;
using Infomat.Privacy.IntegrationTests.Infrastructure;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Infomat.Privacy.IntegrationTests;

/// <summary>
/// Mail work that failed every try sits in <c>mail-inbound-poison</c>; once the cause is fixed, ops move it back
/// (issue 14, item 8) and every mail is handled after all. Moving twice moves nothing more.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailRedriveTests(Azurite azurite)
{
    [Fact]
    public void The_commands_run_against_Azure_with_the_storage_addresses_in_the_environment_not_the_local_hosts_Azurite()
    {
        // Review of 7 December: docs/deploy.md exports the three service addresses to run redrive-mail against Azure, but
        // the local host's appsettings.json carries Azurite's connection string, which won: the items stayed poisoned.
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Repo.Root, "src", "Infomat.LocalHost", "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage:blobServiceUri"] = "https://stprivacyx.blob.core.windows.net",
                ["AzureWebJobsStorage:queueServiceUri"] = "https://stprivacyx.queue.core.windows.net",
                ["AzureWebJobsStorage:tableServiceUri"] = "https://stprivacyx.table.core.windows.net",
                [StorageClients.FilesSetting] = "https://stfilesx.blob.core.windows.net",
            })
            .Build();

        var clients = new StorageClients(configuration);

        Assert.Equal("stprivacyx.queue.core.windows.net", clients.Queues.Uri.Host);
        Assert.Equal("stprivacyx.table.core.windows.net", clients.Tables.Uri.Host);
        // The stores' files in their own account (decision 173), the records not.
        Assert.Equal("stfilesx.blob.core.windows.net", clients.Files.Uri.Host);
        Assert.Equal("stprivacyx.blob.core.windows.net", clients.Blobs.Uri.Host);
        // Without them, the local host's own Azurite as before.
        Assert.Equal("127.0.0.1", new StorageClients(new ConfigurationBuilder().AddJsonFile(Path.Combine(Repo.Root, "src", "Infomat.LocalHost", "appsettings.json")).Build()).Queues.Uri.Host);
        // One or two of them (the table address alone, as verify-audit's help once said): refused, naming the others,
        // rather than run against Azurite and report chains there as broken.
        var half = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Repo.Root, "src", "Infomat.LocalHost", "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage:tableServiceUri"] = "https://stprivacyx.table.core.windows.net" })
            .Build();
        var refused = Assert.Throws<InvalidOperationException>(() => new StorageClients(half));
        Assert.Contains("'AzureWebJobsStorage__blobServiceUri' and 'AzureWebJobsStorage__queueServiceUri'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poisoned_mail_work_goes_back_to_the_queue_once_and_the_poison_queue_is_left_empty()
    {
        var queue = "mail-" + Guid.NewGuid().ToString("N")[..20];
        var clients = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build());
        var backlog = new InboundMailBacklog(clients, Options.Create(new GraphMailOptions { Queue = queue }));
        MailWork[] work = [new(MailWorkKind.Message, "AAMk-one"), new(MailWorkKind.Message, "AAMk-two")];
        await backlog.EnqueueAsync(work, default);
        foreach (var item in await backlog.ReceiveAsync(10, TimeSpan.FromMinutes(1), default))
        {
            await backlog.PoisonAsync(item, default);
        }

        Assert.Equal(2, await backlog.CountAsync(backlog.PoisonQueueName, default));
        // Poisoned mail is not done: until it is moved back and handled, it counts as unread (no case waiting on a reply expires).
        Assert.Equal(0, await backlog.CountAsync(backlog.Name, default));
        Assert.Equal(2, await backlog.PendingAsync(default));

        var moved = await backlog.RedriveAsync(default);
        var again = await backlog.RedriveAsync(default);

        Assert.Equal(2, moved);
        Assert.Equal(0, again);
        Assert.Equal(0, await backlog.CountAsync(backlog.PoisonQueueName, default));
        var back = await backlog.ReceiveAsync(10, TimeSpan.FromMinutes(1), default);
        Assert.Equal(work.Select(w => w.ToJson()).Order(), back.Select(b => b.Body).Order());
        Assert.All(back, b => Assert.Equal(1, b.DequeueCount));
        Assert.Equal(2, await backlog.PendingAsync(default));
        foreach (var item in back)
        {
            await backlog.CompleteAsync(item, default);
        }

        Assert.Equal(0, await backlog.PendingAsync(default));
    }

    [Fact]
    public async Task The_redrive_mail_command_moves_the_poisoned_items_back_with_the_hosts_settings()
    {
        var queue = "mail-" + Guid.NewGuid().ToString("N")[..20];
        var clients = new StorageClients(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = azurite.ConnectionString }).Build());
        var backlog = new InboundMailBacklog(clients, Options.Create(new GraphMailOptions { Queue = queue }));
        await backlog.EnqueueAsync([new MailWork(MailWorkKind.Message, "AAMk-three")], default);
        await backlog.PoisonAsync((await backlog.ReceiveAsync(1, TimeSpan.FromMinutes(1), default)).Single(), default);

        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(Repo.LocalHostDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Repo.LocalHostDll, "redrive-mail", "--Mail:Graph:Queue=" + queue })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AzureWebJobsStorage"] = azurite.ConnectionString;
        using var command = System.Diagnostics.Process.Start(start)!;
        var output = await command.StandardOutput.ReadToEndAsync() + await command.StandardError.ReadToEndAsync();
        await command.WaitForExitAsync();

        Assert.True(command.ExitCode == 0, output);
        Assert.Contains($"moved 1 item(s) from {queue}-poison back to {queue}", output, StringComparison.Ordinal);
        Assert.Equal(0, await backlog.CountAsync(backlog.PoisonQueueName, default));
        Assert.Equal(new MailWork(MailWorkKind.Message, "AAMk-three").ToJson(), (await backlog.ReceiveAsync(1, TimeSpan.FromMinutes(1), default)).Single().Body);
    }
}
