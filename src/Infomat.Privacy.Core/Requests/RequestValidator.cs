using System.Net.Mail;

namespace Infomat.Privacy.Requests;

/// <summary>Validates a <see cref="RequestSubmission"/> and says which fields are wrong.</summary>
public static class RequestValidator
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 200;
    public const int MaxDetailsLength = 4000;

    /// <summary>
    /// Validates <paramref name="submission"/>; <c>entity</c> must be <c>both</c> (the default) or one of
    /// <paramref name="controllerCodes"/>, the controllers of the data map.
    /// </summary>
    public static (ValidRequest? Request, IReadOnlyList<FieldError> Errors) Validate(RequestSubmission submission, IReadOnlyList<string> controllerCodes)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(controllerCodes);
        var errors = new List<FieldError>();

        RequestType type = default;
        if (string.IsNullOrWhiteSpace(submission.Type))
        {
            errors.Add(new("type", "ErrorRequired"));
        }
        else if (!RequestTypes.TryParse(submission.Type.Trim(), out type))
        {
            errors.Add(new("type", "ErrorType"));
        }

        var email = submission.Email?.Trim() ?? string.Empty;
        if (email.Length == 0)
        {
            errors.Add(new("email", "ErrorRequired"));
        }
        else if (email.Length > MaxEmailLength || !IsPlainAddress(email))
        {
            errors.Add(new("email", "ErrorEmail"));
        }

        var name = Clean(submission.Name);
        if (name is null)
        {
            errors.Add(new("name", "ErrorRequired"));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new("name", "ErrorTooLong"));
        }

        var company = Clean(submission.Company);
        if (company is { Length: > MaxNameLength })
        {
            errors.Add(new("company", "ErrorTooLong"));
        }

        ControllerScope? entity = null;
        if (string.IsNullOrWhiteSpace(submission.Entity))
        {
            entity = ControllerScope.AllOf(controllerCodes);
        }
        else if (!ControllerScope.TryParse(submission.Entity.Trim(), controllerCodes, out entity))
        {
            errors.Add(new("entity", "ErrorEntity"));
        }

        var language = Requests.Language.En;
        if (string.IsNullOrWhiteSpace(submission.Language))
        {
            errors.Add(new("language", "ErrorRequired"));
        }
        else if (!Languages.TryParse(submission.Language, out language))
        {
            errors.Add(new("language", "ErrorLanguage"));
        }

        var details = Clean(submission.Details, keepNewLines: true);
        if (details is { Length: > MaxDetailsLength })
        {
            errors.Add(new("details", "ErrorTooLong"));
        }

        ObjectionScope? objection = null;
        if (type == RequestType.Objection && errors.All(e => e.Field != "type"))
        {
            var scope = ObjectionScope.DirectMarketing;
            if (!string.IsNullOrWhiteSpace(submission.Objection) && !ObjectionScopes.TryParse(submission.Objection.Trim(), out scope))
            {
                errors.Add(new("objection", "ErrorObjection"));
            }

            objection = scope;
            if (scope == ObjectionScope.Other && details is null)
            {
                // Art. 21(1): an objection to other processing rests on the person's particular situation.
                errors.Add(new("details", "ErrorDetailsObjection"));
            }
        }

        if (type == RequestType.Rectification && errors.All(e => e.Field != "type") && details is null)
        {
            errors.Add(new("details", "ErrorDetailsRectification"));
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ValidRequest(type, email, name!, company, entity!, language, details, objection), errors);
    }

    private static bool IsPlainAddress(string value)
    {
        // A bare addr-spec only: no display name, no comments, no control characters.
        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || value.Contains('<', StringComparison.Ordinal))
        {
            return false;
        }

        return MailAddress.TryCreate(value, out var parsed)
            && string.Equals(parsed.Address, value, StringComparison.Ordinal)
            && parsed.Host.Contains('.', StringComparison.Ordinal);
    }

    private static string? Clean(string? value, bool keepNewLines = false)
    {
        if (value is null)
        {
            return null;
        }

        var chars = value.Where(c => !char.IsControl(c) || (keepNewLines && (c == '\n' || c == '\r' || c == '\t'))).ToArray();
        var cleaned = new string(chars).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }
}
