using System.Globalization;
using System.Text;

using Infomat.Privacy.Cases;
using Infomat.Privacy.Configuration;
using Infomat.Privacy.Mail;
using Infomat.Privacy.Stores;

namespace Infomat.Privacy.Core.Tests.Simulation;

/// <summary>What the simulated years did, and every miss (a case id and a day each).</summary>
internal sealed record SimulationReport(
    int Requests, int Seed, DateTimeOffset Ended, int EdgeMoments, int EdgeMomentsInTable, int Answered, int OnTime, int Late,
    int LateWhereStaffActedInTime, int StaffNotInTime, int WeekReminders, int TwoWorkingDayReminders, int OverdueFlags,
    int ExtensionsGranted, int ExtensionsRefusedTooLate, int ExpiredNeverConfirmed, int ExpiredNoIdentification, IReadOnlyList<string> Misses)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Simulated 2027-2028 (seed {Seed}, ended {Ended:yyyy-MM-dd}): {Requests} requests, {EdgeMoments} on edge moments ({EdgeMomentsInTable} of the oracle table's {EdgeCases.Rows.Count} moments)");
        text.AppendLine(inv, $"  answered (completed or refused): {Answered}, on time: {OnTime}, late: {Late} (where staff acted by the date shown: {LateWhereStaffActedInTime}; staff not in time: {StaffNotInTime} cases)");
        text.AppendLine(inv, $"  reminders on the right day: {WeekReminders} a week before, {TwoWorkingDayReminders} two working days before; overdue flags the day after the due date and weekly after it: {OverdueFlags}");
        text.AppendLine(inv, $"  extensions granted within the first month with the notice the same day: {ExtensionsGranted}; refused as too late: {ExtensionsRefusedTooLate}");
        text.AppendLine(inv, $"  ended by the requester's silence: {ExpiredNeverConfirmed} never confirmed the address, {ExpiredNoIdentification} never sent the identification asked for");
        text.AppendLine(inv, $"  misses: {Misses.Count}");
        foreach (var miss in Misses.Take(60))
        {
            text.AppendLine("    " + miss);
        }

        if (Misses.Count > 60)
        {
            text.AppendLine(inv, $"    ... and {Misses.Count - 60} more");
        }

        return text.ToString();
    }
}

/// <summary>
/// The checks of issue 24 on a finished simulation: every date the product recorded against the oracle
/// (<see cref="LegalCalendar"/>), which shares no code with the product.
/// </summary>
internal static class SimulationChecks
{
    /// <summary>The simulated escalation address (a DPO's mailbox).</summary>
    public const string EscalationAddress = "dpo@infomat.eu";

    public static SimulationReport Check(IReadOnlyList<CasePlan> plans, IReadOnlyList<string> refusedSteps, SimulatedRegister register, SimulatedMail mail, DataMap map, PrivacyOptions options, int requests, int seed, DateTimeOffset ended)
    {
        var misses = new List<string>(refusedSteps);
        int answered = 0, onTime = 0, late = 0, lateInTime = 0, staffNotInTime = 0, week = 0, two = 0, overdue = 0, granted = 0, tooLate = 0, neverConfirmed = 0, noIdentification = 0;
        var cases = register.All.ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            var received = LegalCalendar.BrusselsDay(plan.Received);
            if (plan.Id is not { } id || !cases.TryGetValue(id, out var c))
            {
                misses.Add($"request {plan.Number} received {YearSimulation.Day(received)}: no case was registered");
                continue;
            }

            var where = $"case {id} (received {plan.Received:yyyy-MM-dd HH:mm}Z, Brussels {YearSimulation.Day(received)}{(plan.Edge is null ? string.Empty : ", " + plan.Edge)}, {plan.Scope.ToWire()})";

            // The due date: the oracle's, and the law's bounds on any date.
            var legal = LegalCalendar.DueDate(plan.Countries, received);
            if (c.FirstDueDate != legal)
            {
                misses.Add($"{where}: due date {YearSimulation.Day(c.FirstDueDate)}, the law gives {YearSimulation.Day(legal)}");
            }

            misses.AddRange(Invariants(c.FirstDueDate, received, plan.Countries, 0).Select(m => $"{where}: {m}"));

            // Extensions: granted exactly when asked by the first due date, to the oracle's date, with the notice that day.
            var legalFinal = legal;
            if (plan.Extension is { } attempt)
            {
                var allowed = attempt.Day <= legal;
                var extendedTo = LegalCalendar.DueDate(plan.Countries, received, attempt.Months);
                if (attempt.NewDueDate is { } newDue)
                {
                    granted++;
                    legalFinal = extendedTo;
                    if (!allowed)
                    {
                        misses.Add($"{where}: extension granted on {YearSimulation.Day(attempt.Day)}, after the first due date {YearSimulation.Day(legal)}");
                    }

                    if (newDue != extendedTo || c.DueDate != extendedTo)
                    {
                        misses.Add($"{where}: extended on {YearSimulation.Day(attempt.Day)} by {attempt.Months} month(s) to {YearSimulation.Day(newDue)}, the law gives {YearSimulation.Day(extendedTo)}");
                    }

                    misses.AddRange(Invariants(newDue, received, plan.Countries, attempt.Months).Select(m => $"{where}: extended: {m}"));
                    var notices = mail.Sent.Where(m => m.Mail.RequestId == id && m.Mail.Kind == MailKind.ExtensionNotice).ToList();
                    if (notices.Count != 1 || LegalCalendar.BrusselsDay(notices[0].At) != attempt.Day
                        || !notices[0].Mail.TextBody.Contains(YearSimulation.Text(newDue, plan.Language), StringComparison.Ordinal))
                    {
                        misses.Add($"{where}: extension of {YearSimulation.Day(attempt.Day)}: {notices.Count} notice(s), expected one that day naming {YearSimulation.Day(newDue)}");
                    }
                }
                else if (allowed)
                {
                    misses.Add($"{where}: extension asked on {YearSimulation.Day(attempt.Day)} (first due date {YearSimulation.Day(legal)}) refused: {attempt.Refusal}");
                }
                else if (attempt.Refusal == nameof(CaseRefusal.ExtensionTooLate))
                {
                    tooLate++;
                }
                else
                {
                    misses.Add($"{where}: extension asked on {YearSimulation.Day(attempt.Day)}, after the first due date, refused for another reason: {attempt.Refusal}");
                }
            }

            // How the case ended: an answer, or the requester's silence; never staff's.
            var silent = plan.RequesterSilent;
            if (plan.Closed is null || !c.Status.IsFinished())
            {
                misses.Add($"{where}: still open ({c.Status}) when the simulation ended on {ended:yyyy-MM-dd}");
            }
            else if (c.Status == CaseStatus.Expired)
            {
                var expectedAt = plan.IdentificationMailAt is { } identificationMail && silent.Identification
                    ? identificationMail + options.Approval.Timeout
                    : plan.VerificationMailAt + options.Verification.Timeout;
                if (!silent.Any)
                {
                    misses.Add($"{where}: expired on {c.ClosedAt:yyyy-MM-dd} although the requester responded");
                }
                else if (c.ClosedAt != expectedAt)
                {
                    misses.Add($"{where}: expired at {c.ClosedAt:yyyy-MM-dd HH:mm}Z, the requester's time ended at {expectedAt:yyyy-MM-dd HH:mm}Z");
                }

                neverConfirmed += silent.Confirmation ? 1 : 0;
                noIdentification += silent.Identification && !silent.Confirmation ? 1 : 0;
            }
            else if (silent.Any)
            {
                misses.Add($"{where}: the requester was silent but the case ended {c.Status} on {c.ClosedAt:yyyy-MM-dd}");
            }
            else
            {
                answered++;
                var answeredOn = LegalCalendar.BrusselsDay(c.AnswerSentAt!.Value);
                var staffInTime = plan.DecidedOn <= plan.DueDateShownAtDecision;
                staffNotInTime += staffInTime ? 0 : 1;
                if (answeredOn <= legalFinal)
                {
                    onTime++;
                }
                else
                {
                    late++;
                    // Staff away: the escalation address must have heard of it while the date could still be met.
                    if (!mail.Sent.Any(m => m.Mail.RequestId == id && m.Mail.Kind == MailKind.Reminder && m.Mail.To == EscalationAddress && LegalCalendar.BrusselsDay(m.At) <= legalFinal))
                    {
                        misses.Add($"{where}: answered late on {YearSimulation.Day(answeredOn)}, and the escalation address was not told before the due date {YearSimulation.Day(legalFinal)}");
                    }

                    if (staffInTime)
                    {
                        lateInTime++;
                        misses.Add($"{where}: answered on {YearSimulation.Day(answeredOn)} by the date shown ({YearSimulation.Day(plan.DueDateShownAtDecision!.Value)}), but the law's date was {YearSimulation.Day(legalFinal)}");
                    }
                }
            }

            // Reminders and overdue flags: each on the day the rule gives for the due date then in force.
            var expected = ExpectedReminders(plan, received, legal, ended);
            var sent = c.Reminders.Where(r => r.Key.StartsWith("due-", StringComparison.Ordinal) || r.Key.StartsWith("overdue.", StringComparison.Ordinal))
                .ToDictionary(r => r.Key, r => LegalCalendar.BrusselsDay(r.At), StringComparer.Ordinal);
            foreach (var (key, day) in expected)
            {
                if (!sent.TryGetValue(key, out var sentOn))
                {
                    misses.Add($"{where}: reminder {key} not sent; due on {YearSimulation.Day(day)}");
                }
                else if (sentOn != day)
                {
                    misses.Add($"{where}: reminder {key} sent on {YearSimulation.Day(sentOn)}, due on {YearSimulation.Day(day)}");
                }
                else
                {
                    week += key.StartsWith("due-7.", StringComparison.Ordinal) ? 1 : 0;
                    two += key.StartsWith("due-2.", StringComparison.Ordinal) ? 1 : 0;
                    overdue += key.StartsWith("overdue.", StringComparison.Ordinal) ? 1 : 0;
                }
            }

            foreach (var (key, day) in sent.Where(s => !expected.ContainsKey(s.Key)))
            {
                misses.Add($"{where}: reminder {key} sent on {YearSimulation.Day(day)}, none was due");
            }
        }

        var edgeMoments = plans.Count(p => p.Edge is not null);
        var edgeInTable = plans.Where(p => p.Edge is not null).Select(p => p.Edge).Distinct(StringComparer.Ordinal).Count();
        return new SimulationReport(requests, seed, ended, edgeMoments, edgeInTable, answered, onTime, late, lateInTime, staffNotInTime, week, two, overdue,
            granted, tooLate, neverConfirmed, noIdentification, misses);
    }

    /// <summary>
    /// The law's bounds on a due date (issue 24): never a Saturday, Sunday or holiday of the controller whose date it is;
    /// never earlier than receipt plus the months, clamped to the month's end; never later than the next working day after that.
    /// </summary>
    public static IEnumerable<string> Invariants(DateOnly due, DateOnly received, IReadOnlyList<string> countries, int furtherMonths)
    {
        var periodEnd = LegalCalendar.PlusMonths(LegalCalendar.PlusMonths(received, 1), furtherMonths);
        if (due.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            yield return $"due date {YearSimulation.Day(due)} is a {due.DayOfWeek}";
        }

        if (!countries.Any(country => LegalCalendar.IsWorkingDay(country, due)))
        {
            yield return $"due date {YearSimulation.Day(due)} is a public holiday of every controller concerned";
        }

        if (due < periodEnd)
        {
            yield return $"due date {YearSimulation.Day(due)} is before the end of the period, {YearSimulation.Day(periodEnd)}";
        }

        var latest = countries.Min(country => LegalCalendar.OnOrNextWorkingDay(country, periodEnd));
        if (due > latest)
        {
            yield return $"due date {YearSimulation.Day(due)} is after the next working day after the period, {YearSimulation.Day(latest)}";
        }
    }

    /// <summary>
    /// The reminders the issue's rule gives, by key, with the day each is due: the daily sweep at 06:00 UTC sends, for
    /// an open case, "overdue" from the day after the due date, else "due-2" from two working days before it (on the
    /// calendar of the controller whose date it is), else "due-7" from a week before; each key once.
    /// </summary>
    private static Dictionary<string, DateOnly> ExpectedReminders(CasePlan plan, DateOnly received, DateOnly legal, DateTimeOffset ended)
    {
        var expected = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var extendedAt = plan.Extension is { NewDueDate: not null } e ? LegalCalendar.Brussels(e.Day, 11, 30) : (DateTimeOffset?)null;
        var extendedTo = plan.Extension is { NewDueDate: not null } x ? LegalCalendar.DueDate(plan.Countries, received, x.Months) : legal;
        for (var day = received; ; day = day.AddDays(1))
        {
            var sweep = new DateTimeOffset(day.ToDateTime(new TimeOnly(6, 0)), TimeSpan.Zero);
            if (sweep > ended || (plan.ClosedAt is { } closed && sweep >= closed))
            {
                break;
            }

            if (sweep < plan.Received)
            {
                continue;
            }

            var extended = extendedAt is { } at && sweep > at;
            var due = extended ? extendedTo : legal;
            var months = extended ? plan.Extension!.Months : 0;
            var country = plan.Countries.First(c => LegalCalendar.DueDate(c, received, months) == due);
            var kind = day > due ? "overdue"
                : day >= LegalCalendar.TwoWorkingDaysBefore(country, due) ? "due-2"
                : day >= due.AddDays(-7) ? "due-7"
                : null;
            // Overdue: flagged the day after, then again on the 8th, 15th, ... day after (one a week while unanswered).
            var week = kind == "overdue" ? (day.DayNumber - due.DayNumber - 1) / 7 : 0;
            if (kind is not null)
            {
                expected.TryAdd(week > 0 ? $"{kind}.{YearSimulation.Day(due)}.{week}" : $"{kind}.{YearSimulation.Day(due)}", day);
            }
        }

        return expected;
    }
}
