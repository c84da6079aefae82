package main

import (
	"fmt"
	"io"

	"github.com/ictvk/ictvk/vk"
)

func runDevices(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("devices", stderr)
	env, err := vk.OptionsFromEnv()
	if err != nil {
		return err
	}
	fs.IntVar(&env.Device, "device", env.Device, "mark device `N` as the one to use (default: ICT_DEVICE, else automatic)")
	if err := parse(fs, args); err != nil {
		return err
	}
	devs, chosen, err := vk.ListDevices(env)
	if devs == nil && err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d Vulkan device(s):\n", len(devs))
	for _, d := range devs {
		mark := " "
		if d.Index == chosen {
			mark = "*"
		}
		writeDevice(stdout, mark, d)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "* = the device ict uses; pick another with --device N or ICT_DEVICE=N")
	return nil
}

func writeDevice(w io.Writer, mark string, d vk.DeviceInfo) {
	l := d.Limits
	fmt.Fprintf(w, "%s %d  %s\n", mark, d.Index, d.Name)
	driver := d.Driver
	if driver == "" {
		driver = fmt.Sprintf("version 0x%x", d.DriverVersion)
	}
	fmt.Fprintf(w, "     type %s, Vulkan %s, driver %s, vendor 0x%04x device 0x%04x\n", d.Type, d.APIString(), driver, d.VendorID, d.DeviceID)
	uma := ""
	if d.UMA {
		uma = ", unified with the host (no staging copies)"
	}
	fmt.Fprintf(w, "     memory: %s device-local%s; heaps:", size(d.DeviceLocalBytes()), uma)
	for _, h := range d.Heaps {
		kind := "host"
		if h.DeviceLocal {
			kind = "device"
		}
		fmt.Fprintf(w, " %s (%s)", size(h.Size), kind)
	}
	fmt.Fprintln(w)
	if why := d.Unusable(); why != "" {
		fmt.Fprintf(w, "     unusable: %s\n", why)
		if d.ComputeFamily < 0 {
			return
		}
	}
	ts := "no timestamps"
	if l.TimestampValidBits > 0 {
		ts = fmt.Sprintf("timestamps %d bits at %g ns", l.TimestampValidBits, l.TimestampPeriod)
	}
	fmt.Fprintf(w, "     compute queue family %d, push descriptors %v, subgroup %d, %s\n", d.ComputeFamily, d.PushDescriptor, l.SubgroupSize, ts)
	fmt.Fprintf(w, "     max storage buffer %s, shared memory %s, push constants %d B, storage offset alignment %d\n",
		size(l.MaxStorageBufferRange), size(uint64(l.MaxComputeSharedMemorySize)), l.MaxPushConstantsSize, l.MinStorageBufferOffsetAlignment)
	fmt.Fprintf(w, "     workgroup: %d invocations, size %v, count %v\n", l.MaxComputeWorkGroupInvocations, l.MaxComputeWorkGroupSize, l.MaxComputeWorkGroupCount)
}

func size(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
