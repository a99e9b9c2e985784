using System.Runtime.CompilerServices;
using Nautilus.Store;

namespace Nautilus.Server.Api.Objects;

/// <summary>
/// A yes/no question about a stored object, answered once per stored version. Stored objects never
/// change (an update stores a new one), so an answer cannot go stale; it is dropped with the
/// version. For questions every request asks of the same few objects (is the namespace being
/// terminated, is this priority class the global default) whose answer costs a decompression.
/// </summary>
public sealed class StoredObjectMemo(Func<StoredObject, bool> question)
{
    private static readonly object Yes = new();
    private static readonly object No = new();
    private readonly ConditionalWeakTable<StoredObject, object> _answers = [];

    public bool Ask(StoredObject stored)
    {
        if (!_answers.TryGetValue(stored, out var answer))
        {
            answer = question(stored) ? Yes : No;
            _answers.AddOrUpdate(stored, answer);
        }

        return answer == Yes;
    }
}
