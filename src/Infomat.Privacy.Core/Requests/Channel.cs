namespace Infomat.Privacy.Requests;

/// <summary>How a request reached Infomat.</summary>
public enum Channel
{
    Form,
    Email,
}
