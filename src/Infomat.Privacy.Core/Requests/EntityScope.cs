namespace Infomat.Privacy.Requests;

/// <summary>Which Infomat controller(s) the request is addressed to.</summary>
public enum EntityScope
{
    Both,
    Be,
    Nl,
}

public static class EntityScopes
{
    public static string ToWire(this EntityScope scope) => scope switch
    {
        EntityScope.Be => "be",
        EntityScope.Nl => "nl",
        _ => "both",
    };

    public static bool TryParse(string? wire, out EntityScope scope)
    {
        switch (wire)
        {
            case "be": scope = EntityScope.Be; return true;
            case "nl": scope = EntityScope.Nl; return true;
            case "both": scope = EntityScope.Both; return true;
            default: scope = EntityScope.Both; return false;
        }
    }

    /// <summary>The entity codes (<c>be</c>, <c>nl</c>) a scope covers.</summary>
    public static IReadOnlyList<string> Entities(this EntityScope scope) => scope switch
    {
        EntityScope.Be => ["be"],
        EntityScope.Nl => ["nl"],
        _ => ["be", "nl"],
    };
}
