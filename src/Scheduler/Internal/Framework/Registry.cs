using Nautilus.Scheduler.Internal.Plugins;

namespace Nautilus.Scheduler.Internal.Framework;

/// <summary>Plugin factories by name, as kube's runtime.Registry: registering a name twice is an error.</summary>
internal sealed class Registry
{
    private readonly Dictionary<string, Func<FrameworkHandle, IPlugin>> _factories = new(StringComparer.Ordinal);

    public void Register(string name, Func<FrameworkHandle, IPlugin> factory)
    {
        if (!_factories.TryAdd(name, factory))
        {
            throw new ArgumentException($"a plugin named {name} already exists", nameof(name));
        }
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    public IPlugin Create(string name, FrameworkHandle handle) =>
        _factories.TryGetValue(name, out var factory) ? factory(handle) : throw new ArgumentException($"plugin {name} does not exist", nameof(name));

    /// <summary>Every in-tree plugin.</summary>
    public static Registry InTree()
    {
        var r = new Registry();
        r.Register(SchedulingGates.PluginName, _ => new SchedulingGates());
        r.Register(NodeUnschedulable.PluginName, _ => new NodeUnschedulable());
        r.Register(NodeName.PluginName, _ => new NodeName());
        r.Register(TaintToleration.PluginName, _ => new TaintToleration());
        r.Register(NodeAffinity.PluginName, _ => new NodeAffinity());
        r.Register(NodePorts.PluginName, _ => new NodePorts());
        r.Register(NodeResourcesFit.PluginName, _ => new NodeResourcesFit());
        r.Register(NodeResourcesBalancedAllocation.PluginName, _ => new NodeResourcesBalancedAllocation());
        r.Register(ImageLocality.PluginName, _ => new ImageLocality());
        r.Register(InterPodAffinity.PluginName, h => new InterPodAffinity(h));
        r.Register(PodTopologySpread.PluginName, h => new PodTopologySpread(h));
        r.Register(VolumeBinding.PluginName, h => new VolumeBinding(h));
        r.Register(DefaultPreemption.PluginName, h => new DefaultPreemption(h));
        r.Register(DefaultBinder.PluginName, h => new DefaultBinder(h));
        r.Register(TargetUtilization.PluginName, _ => new TargetUtilization());
        r.Register(PodCountBalance.PluginName, _ => new PodCountBalance());
        r.Register(ZoneSpread.PluginName, _ => new ZoneSpread());
        return r;
    }
}
