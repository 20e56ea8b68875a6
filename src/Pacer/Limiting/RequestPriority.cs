namespace Pacer.Limiting;

/// <summary>
/// The class a request waits in. Waiting <see cref="Interactive"/> requests are admitted before waiting
/// <see cref="Batch"/> ones; batch keeps a guaranteed minimum share of admissions (<c>BatchMinShare</c>), and users
/// are served round-robin inside each class.
/// </summary>
public enum RequestPriority
{
    /// <summary>A request someone is waiting for (the default).</summary>
    Interactive = 0,

    /// <summary>A request of a batch, served with what interactive traffic leaves and its guaranteed minimum share.</summary>
    Batch = 1,
}
