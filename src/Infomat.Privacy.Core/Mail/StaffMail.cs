namespace Infomat.Privacy.Mail;

/// <summary>Staff mail can go to several mailboxes: the setting is a list separated by commas or semicolons.</summary>
public static class StaffMail
{
    public static IReadOnlyList<string> Recipients(string setting) =>
        (setting ?? string.Empty).Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
