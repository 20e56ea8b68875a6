namespace Pacer.Usage;

/// <summary>A dimension usage totals can be grouped by.</summary>
public enum UsageGroup
{
    /// <summary>The caller identity.</summary>
    User,

    /// <summary>The application endpoint.</summary>
    Endpoint,

    /// <summary>The model as requested.</summary>
    Model,

    /// <summary>The UTC day the request started.</summary>
    Day,
}
