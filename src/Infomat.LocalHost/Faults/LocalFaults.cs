using Azure.Core.Pipeline;

using Infomat.Privacy.Adapters.Storage;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

using Microsoft.DurableTask.Client;

namespace Infomat.LocalHost.Faults;

/// <summary>
/// Test-only: when <c>LocalHost:Faults:Enabled</c> is true, the local host's storage clients, mail sender and entity
/// stores get the faults of <see cref="FaultOptions"/>, and two read-only routes tell the soak run what it needs to judge
/// the outcome: the orchestration of a case (runtime status, what it waits on: ids only) and the faults injected so far.
/// Nothing is registered or mapped otherwise.
/// </summary>
internal static class LocalFaults
{
    public static bool Enabled(IConfiguration configuration) => configuration.GetValue<bool>($"{FaultOptions.Section}:Enabled");

    public static IServiceCollection AddLocalFaults(this IServiceCollection services, IConfiguration configuration)
    {
        if (!Enabled(configuration))
        {
            return services;
        }

        services.AddOptions<FaultOptions>().Bind(configuration.GetSection(FaultOptions.Section))
            .Validate(o => Share(o.StorageFailureRate) && Share(o.MailFailureRate) && Share(o.MailTimeoutRate), "LocalHost:Faults rates are shares between 0 and 1.")
            .ValidateOnStart();
        services.AddSingleton<FaultDice>();
        services.AddSingleton<StorageFaultPolicy>();

        // The same clients as the adapters make, with the fault policy on every try (this registration wins: the last one).
        services.AddSingleton(sp => new StorageClients(configuration, [sp.GetRequiredService<StorageFaultPolicy>()]));
        Decorate<IMailSender>(services, (sp, inner) => new FaultyMailSender(inner, sp.GetRequiredService<FaultDice>()));
        Decorate<IEntityStoreCatalog>(services, (sp, inner) => new FaultyStoreCatalog(inner, sp.GetRequiredService<FaultDice>()));
        return services;
    }

    public static IEndpointRouteBuilder MapLocalFaults(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (!Enabled(configuration))
        {
            return app;
        }

        app.MapGet("/local/faults", (FaultDice dice) => Results.Json(dice.Counts));
        app.MapGet("/local/orchestrations/{caseId}", async (string caseId, DurableTaskClient client, CancellationToken ct) =>
            await client.GetInstanceAsync(caseId, getInputsAndOutputs: false, ct) is { } instance
                ? Results.Json(new { runtimeStatus = instance.RuntimeStatus.ToString(), customStatus = instance.SerializedCustomStatus })
                : Results.NotFound());
        return app;
    }

    private static bool Share(double rate) => rate is >= 0 and <= 1;

    /// <summary>Replaces the registration of <typeparamref name="T"/> by a decorator around what it made.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        var existing = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(existing);
        services.Add(ServiceDescriptor.Describe(typeof(T), sp => decorate(sp, Create<T>(sp, existing)), existing.Lifetime));
    }

    private static T Create<T>(IServiceProvider sp, ServiceDescriptor descriptor)
        where T : class =>
        descriptor switch
        {
            { ImplementationInstance: T instance } => instance,
            { ImplementationFactory: { } factory } => (T)factory(sp),
            { ImplementationType: { } type } => (T)ActivatorUtilities.CreateInstance(sp, type),
            _ => throw new InvalidOperationException($"Cannot decorate {typeof(T).Name}."),
        };
}
