namespace Pacer.Gateway.Alerts;

/// <summary>An alert that started (<see cref="Alert.ResolvedAt"/> null) or ended at the latest evaluation.</summary>
/// <param name="Alert">The alert as it now stands.</param>
internal readonly record struct AlertChange(Alert Alert)
{
    /// <summary>Gets a value indicating whether the alert started (else it resolved).</summary>
    public bool Fired => Alert.ResolvedAt is null;
}
