namespace Pacer.Limiting;

/// <summary>Maps a model name to the class whose limits it shares (all Opus 4.x share one pool, all Sonnet 4.x one, ...). Data, not code.</summary>
public sealed class ModelClassMap
{
    /// <summary>Gets the model class of <paramref name="model"/>.</summary>
    public string ClassOf(string model) => throw new NotImplementedException(model);
}
