using System.Diagnostics.Metrics;

namespace Infomat.Privacy.Cases;

/// <summary>
/// Counters ops alert on (infra/app/monitoring.bicep queries them by name): counts only, no case data at all.
/// Exported through OpenTelemetry to Application Insights in Azure.
/// </summary>
public sealed class PrivacyMetrics
{
    public const string MeterName = "Infomat.Privacy";

    /// <summary>Cases whose status became Failed (they wait for staff).</summary>
    public const string CasesFailed = "privacy.cases.failed";

    /// <summary>
    /// Cases closed at once because the mail service refused the requester's address for good (decision 141): closed
    /// without being acted on and without a person looking, so ops (and the privacy team) are told of each.
    /// </summary>
    public const string CasesAddressRefused = "privacy.cases.address_refused";

    /// <summary>
    /// Requester mail that the mail service took and then reported as bounced, other than a link whose address was at
    /// fault (which closes its case, <see cref="CasesAddressRefused"/>), tagged <c>kind</c>: the requester did not get
    /// it, so ops are alerted (decision 148).
    /// </summary>
    public const string RequesterMailBouncedName = "privacy.mail.bounced";

    /// <summary>
    /// Records the retention sweep could not check or delete this run (tagged <c>reason</c>: <c>failed</c>, a storage
    /// fault, tried again at the next run; <c>audit-chain-broken</c>, a case kept because its audit trail does not
    /// verify, counted at every run until it is dealt with by hand): personal data that may outlive what the notice
    /// says, so ops are alerted.
    /// </summary>
    public const string RetentionNotSwept = "privacy.retention.not_swept";

    /// <summary>Cases the daily sweep found past their legal due date (each case once per due date).</summary>
    public const string CasesOverdue = "privacy.cases.overdue";

    /// <summary>Orchestrations the reconciler started again because they had stopped while their case was open.</summary>
    public const string OrchestrationsRestarted = "privacy.orchestrations.restarted";

    /// <summary>Mailbox work items (a mail to read, a sweep) that failed every try and went to the poison queue.</summary>
    public const string MailPoisoned = "privacy.mail.poisoned";

    /// <summary>
    /// Mails of ours a receiving mail server reported undelivered in a report that reached the mailbox (tagged
    /// <c>kind</c>): for staff mail, sent through the mailbox, the only sign of a wrong, removed or full staff mailbox.
    /// </summary>
    public const string OwnMailUndeliveredName = "privacy.mail.own_undelivered";

    /// <summary>
    /// How long each step of a submission (<c>POST /api/requests</c>) took, in milliseconds, tagged <c>step</c>: read,
    /// antiforgery, validate, limits (both, at once), register, verification-mail, begin (the link and the
    /// orchestration's start), handler (the whole handler); a mail's find-same (looking for an open case that asks the
    /// same). Where an intake's time goes, without data.
    /// </summary>
    public const string IntakeStepDuration = "privacy.intake.step.duration";

    private readonly Counter<long> failed;
    private readonly Counter<long> restarted;
    private readonly Counter<long> overdue;
    private readonly Counter<long> poisoned;
    private readonly Counter<long> ownUndelivered;
    private readonly Counter<long> addressRefused;
    private readonly Counter<long> bounced;
    private readonly Counter<long> notSwept;
    private readonly Histogram<double> intakeStep;

    public PrivacyMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        failed = meter.CreateCounter<long>(CasesFailed, "{case}", "Privacy requests flagged Failed; they wait for staff.");
        restarted = meter.CreateCounter<long>(OrchestrationsRestarted, "{case}", "Case orchestrations started again by the reconciler (a failure, a release).");
        overdue = meter.CreateCounter<long>(CasesOverdue, "{case}", "Open privacy requests found past their legal due date.");
        poisoned = meter.CreateCounter<long>(MailPoisoned, "{item}", "Mailbox work items that failed every try and went to the poison queue.");
        ownUndelivered = meter.CreateCounter<long>(OwnMailUndeliveredName, "{mail}", "Mails of ours a receiving server reported undelivered to the mailbox.");
        addressRefused = meter.CreateCounter<long>(CasesAddressRefused, "{case}", "Privacy requests closed because the mail service refused the requester's address for good.");
        bounced = meter.CreateCounter<long>(RequesterMailBouncedName, "{mail}", "Requester mail the mail service took and later reported as bounced.");
        notSwept = meter.CreateCounter<long>(RetentionNotSwept, "{item}", "Records the retention sweep could not check or delete this run.");
        intakeStep = meter.CreateHistogram<double>(IntakeStepDuration, "ms", "How long each step of a request submission took.");
    }

    public void CaseFailed() => failed.Add(1);

    public void OrchestrationRestarted() => restarted.Add(1);

    public void CaseClosedAsAddressRefused() => addressRefused.Add(1);

    public void RequesterMailBounced(string kind) => bounced.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void RetentionItemsNotSwept(int count, string reason)
    {
        if (count > 0)
        {
            notSwept.Add(count, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void MailWorkPoisoned() => poisoned.Add(1);

    public void OwnMailUndelivered(string kind) => ownUndelivered.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Records how long one step of a submission took (<see cref="IntakeStepDuration"/>).</summary>
    public void IntakeStep(string step, TimeSpan elapsed) =>
        intakeStep.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("step", step));

    public void CasesFoundOverdue(int count)
    {
        if (count > 0)
        {
            overdue.Add(count);
        }
    }
}
