// Preloaded (node --require) into the devs CLI by tools/src/run/devs.ts, whose devtools server, VM and
// deploy client use the fixed ports 8081-8083. DSRNN_DEVS_PORTS="a,b,c" moves
// 8081, 8082 and 8083 to free ports, so two simulated devices can run side by
// side. Every listen and every outgoing connection on those ports is moved.
"use strict"
const net = require("node:net")

const FIXED = [8081, 8082, 8083]
const moved = (process.env.DSRNN_DEVS_PORTS || "").split(",").map(Number)
const map = new Map(FIXED.map((p, i) => [p, moved[i]]).filter(([, to]) => Number.isInteger(to) && to > 0))

function remap(port) {
    const n = Number(port)
    return map.has(n) ? map.get(n) : port
}

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
    if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) args[0] = remap(args[0])
    else if (args[0] && typeof args[0] === "object" && "port" in args[0]) args[0] = { ...args[0], port: remap(args[0].port) }
    return listen.apply(this, args)
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
    if (Array.isArray(args[0])) {
        // net.connect's normalized [options, callback], marked by a symbol on the array itself: edit it in place
        const options = args[0][0]
        if (options && "port" in options) args[0][0] = { ...options, port: remap(options.port) }
    } else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) args[0] = remap(args[0])
    else if (args[0] && typeof args[0] === "object" && "port" in args[0]) args[0] = { ...args[0], port: remap(args[0].port) }
    return connect.apply(this, args)
}

// DSRNN_SERIAL_PORT=/dev/ttyACM0 makes `devs devtools --serial` use that port
// only: it connects to the first DeviceScript board it lists otherwise, which
// with two boards plugged in may be the other one.
const serialPath = process.env.DSRNN_SERIAL_PORT
if (serialPath) {
    const fs = require("node:fs")
    const Module = require("node:module")
    const real = p => {
        try {
            return fs.realpathSync(p)
        } catch {
            return p
        }
    }
    const wanted = real(serialPath)
    const load = Module._load
    Module._load = function (request, ...rest) {
        const m = load.call(this, request, ...rest)
        const SerialPort = request === "serialport" && m && m.SerialPort
        if (SerialPort && !SerialPort.dsrnnFiltered) {
            const list = SerialPort.list.bind(SerialPort)
            SerialPort.list = async () => (await list()).filter(p => real(p.path) === wanted)
            SerialPort.dsrnnFiltered = true
        }
        return m
    }
}
